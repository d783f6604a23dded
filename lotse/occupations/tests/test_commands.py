import csv
import gzip
import io
import re
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from lotse.occupations import services
from lotse.occupations.reference import DATA_DIR

pytestmark = pytest.mark.django_db


def read(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_code_titles_writes_k_rows_per_title_from_a_csv(tmp_path):
    source = tmp_path / "titles.csv"
    source.write_text('id,title\n1,Mechatroniker/in (m/w/d)\n2,"Koch, Köchin"\n', "utf-8")
    call_command("code_titles", source, tmp_path / "out.csv", top=3)
    rows = read(tmp_path / "out.csv")
    assert list(rows[0]) == ["title", "rank", "kldb5", "score", "matched_title", "esco_uri"]
    assert len(rows) == 6
    assert rows[0]["title"] == "Mechatroniker/in (m/w/d)"
    assert rows[0]["kldb5"] == "26112"
    assert [row["rank"] for row in rows[:3]] == ["1", "2", "3"]


@pytest.mark.parametrize(
    "content",
    [
        # German Excel: semicolons, CRLF, a row left empty written as ";"
        "Ort;Berufsbezeichnung\r\nChemnitz;Mechatroniker/in (m/w/d)\r\n;\r\nZwickau;Koch\r\n",
        "Nr\tTitle\n1\tMechatroniker/in (m/w/d)\n2\tKoch\n",
        " TITEL ,Ort\nMechatroniker/in (m/w/d),Chemnitz\nKoch,Zwickau\n",
        "Titel\rMechatroniker/in (m/w/d)\rKoch\r",  # "CSV (Macintosh)": lines end in CR
    ],
    ids=["german-excel-semicolons", "tabs", "german-header-any-case", "mac-line-ends"],
)
def test_code_titles_finds_the_title_column_as_spreadsheet_programs_write_it(tmp_path, content):
    source = tmp_path / "stellen.csv"
    source.write_text(content, "utf-8")
    call_command("code_titles", source, tmp_path / "out.csv", top=1)
    rows = read(tmp_path / "out.csv")
    assert [(row["title"], row["kldb5"]) for row in rows] == [
        ("Mechatroniker/in (m/w/d)", "26112"),
        ("Koch", "29302"),
    ]


@pytest.mark.parametrize(
    "encoding",
    ["cp1252", "utf-16", "utf-8-sig"],
    ids=["german-excel-csv", "excel-unicode-text", "csv-utf-8"],
)
def test_a_csv_is_read_in_the_encoding_excel_saved_it_in(encoding):
    content = (
        "Stellenbezeichnung;Ort\nVerkäufer/in;Chemnitz\nSchweißer WIG;Zwickau\n"
        "Servicekraft „Café“;Plauen\n"  # é before “ looks like UTF-8 in Windows-1252
        "„SPÄ“-Verkäufer/in;Riesa\n"  # so does Ä before “, among other umlauts
        "Kellner/in „Zum Roß“;Meißen\n"  # and ß before “
        "Café\u00a0– Aushilfe;Plauen\n"  # and é, NBSP and – together
    )
    assert services.read_titles(io.BytesIO(content.encode(encoding))) == [
        "Verkäufer/in",
        "Schweißer WIG",
        "Servicekraft „Café“",
        "„SPÄ“-Verkäufer/in",
        "Kellner/in „Zum Roß“",
        "Café – Aushilfe",
    ]


@pytest.mark.parametrize(
    "content",
    [
        "Jobmesse Chemnitz 2026;;\n;;\nNr;Job Title;Ort\n1;Koch;Chemnitz\n2;Maurer;Zwickau\n",
        "Koch;Chemnitz\nMaurer;Zwickau\n",  # no header: the first column, as in a workbook
        'Koch;Chemnitz\n"Maurer; Putzer";Zwickau\n',
        "Koch;Chemnitz;Vollzeit\nMaurer;Zwickau; Teilzeit\n",  # one cell typed with a space
        "Jobmesse 2026\nTitel\nKoch\nMaurer\n",  # a list below a caption
    ],
    ids=[
        "caption-above-header",
        "no-header",
        "no-header-quoted",
        "no-header-one-space",
        "caption-above-list",
    ],
)
def test_a_csv_is_read_as_a_sheet_of_the_same_rows_would_be(content):
    titles = services.read_titles(io.BytesIO(content.encode()))
    assert titles in (["Koch", "Maurer"], ["Koch", "Maurer; Putzer"])


def test_a_table_of_one_row_without_a_header_is_read_from_its_first_column():
    assert services.read_titles(io.BytesIO(b"Koch;Chemnitz\n")) == ["Koch"]


@pytest.mark.parametrize(
    "content",
    [
        "Koch; Beikoch\nBäcker\nMaurer; Putzer\n",  # a semicolon in a title, not a table
        "Koch; Beikoch\nMaurer; Putzer\n",  # no spreadsheet writes a space after it
        "Koch\nBäcker\nPosition\nMaurer\n",  # a header word below the first line
    ],
)
def test_a_list_of_titles_is_read_line_by_line(content):
    assert services.read_titles(io.BytesIO(content.encode())) == content.strip().split("\n")


def test_a_line_break_other_than_a_line_end_does_not_shift_the_line_numbers():
    content = "Koch\u2028Bäcker\n" + "x" * 300 + "\n"
    with pytest.raises(services.TitleFileError, match="Zeile 2:"):
        services.read_titles(io.BytesIO(content.encode()))


def test_a_column_of_numbers_is_not_coded_as_job_titles():
    content = b"1001;Koch;Chemnitz\n1002;Maurer;Zwickau\n"  # no header
    with pytest.raises(services.TitleFileError, match=r"Zeile 1: .* nur Ziffern"):
        services.read_titles(io.BytesIO(content))


def test_a_field_too_long_for_csv_is_named_in_the_interface_language():
    content = b'title;Ort\nKoch;"' + b"x" * 140_000 + b'"\n'
    with pytest.raises(services.TitleFileError, match="Zeile 2: ein Feld mit mehr als 131072"):
        services.read_titles(io.BytesIO(content))


def test_a_file_of_one_column_keeps_commas_in_its_titles():
    content = 'Berufsbezeichnung\nVerkäufer/in, Teilzeit\n"Koch, warme Küche"\n'.encode()
    assert services.read_titles(io.BytesIO(content)) == [
        "Verkäufer/in, Teilzeit",
        "Koch, warme Küche",
    ]


def test_code_titles_can_flag_the_titles_a_person_should_check(tmp_path, capsys):
    source = tmp_path / "titles.txt"
    source.write_text("Mechatroniker/in (m/w/d)\nZzqx Blorpf\n", "utf-8")
    call_command("code_titles", source, tmp_path / "out.csv", top=1, flag_uncertain=True)
    rows = read(tmp_path / "out.csv")
    assert list(rows[0])[-1] == "uncertain"
    assert [(row["title"], row["uncertain"]) for row in rows] == [
        ("Mechatroniker/in (m/w/d)", "0"),  # a known title, clearly ahead
        ("Zzqx Blorpf", "1"),  # nothing the coder knows
    ]
    assert "1 flagged uncertain" in capsys.readouterr().out


def test_code_titles_reads_a_text_file_with_one_title_a_line(tmp_path):
    source = tmp_path / "titles.txt"
    source.write_text("Pflegefachfrau\n\nSchweißer WIG\n", "utf-8")
    call_command("code_titles", source, tmp_path / "out.csv")
    rows = read(tmp_path / "out.csv")
    assert len(rows) == 10
    assert {row["title"] for row in rows} == {"Pflegefachfrau", "Schweißer WIG"}


def test_a_failed_run_leaves_the_output_of_the_last_run_as_it_was(tmp_path, monkeypatch):
    source = tmp_path / "titles.txt"
    source.write_text("Koch\n", "utf-8")
    output = tmp_path / "out.csv"
    output.write_text("title,rank\nyesterday's work,1\n", "utf-8")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(services, "code_titles", interrupted)
    with pytest.raises(KeyboardInterrupt):
        call_command("code_titles", source, output)
    assert output.read_text("utf-8") == "title,rank\nyesterday's work,1\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out.csv", "titles.txt"]


def test_the_output_is_written_whole_and_readable_by_others(tmp_path):
    source = tmp_path / "titles.txt"
    source.write_text("Koch\n", "utf-8")
    call_command("code_titles", source, tmp_path / "out.csv", top=1)
    assert (tmp_path / "out.csv").stat().st_mode & 0o044 == 0o044  # not a private temp file
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out.csv", "titles.txt"]


def test_an_earlier_output_keeps_its_permissions_and_a_link_its_place(tmp_path):
    source = tmp_path / "titles.txt"
    source.write_text("Koch\n", "utf-8")
    shared = tmp_path / "shared-out.csv"
    shared.write_text("old", "utf-8")
    shared.chmod(0o600)
    (tmp_path / "out.csv").symlink_to(shared)
    call_command("code_titles", source, tmp_path / "out.csv", top=1)
    assert (tmp_path / "out.csv").is_symlink()
    assert shared.read_text("utf-8").startswith("title,rank")
    assert shared.stat().st_mode & 0o777 == 0o600


def test_a_byte_order_mark_can_be_asked_for_so_that_excel_reads_umlauts(tmp_path):
    source = tmp_path / "titles.txt"
    source.write_text("Bäcker\n", "utf-8")
    call_command("code_titles", source, tmp_path / "out.csv", top=1, bom=True)
    assert (tmp_path / "out.csv").read_bytes().startswith(b"\xef\xbb\xbftitle,rank")


@pytest.mark.parametrize(
    ("output", "message"),
    [
        (".", "is a folder"),
        ("missing/out.csv", "does not exist"),
        ("titles.csv", "is the input file"),
        ("out.xlsx", "names a workbook"),
        ("link-to-plan.csv", "names a workbook"),  # a link to a workbook
        ("link-into-nowhere.csv", "does not exist"),
        ("loop.csv", "cannot be resolved"),
    ],
)
def test_an_output_that_cannot_or_should_not_be_written_is_refused(
    tmp_path, monkeypatch, output, message
):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "link-to-plan.csv").symlink_to(tmp_path / "plan.xlsx")
    (tmp_path / "link-into-nowhere.csv").symlink_to(tmp_path / "missing" / "out.csv")
    (tmp_path / "loop.csv").symlink_to(tmp_path / "loop.csv")
    source = tmp_path / "titles.csv"
    source.write_text("title\nKoch\n", "utf-8")
    with pytest.raises(CommandError, match=message):
        call_command("code_titles", source, Path(output))
    assert source.read_text("utf-8") == "title\nKoch\n"


@pytest.mark.parametrize(
    ("content", "line"),
    [
        (b"title\nKoch\n" + b"x" * 300 + b"\n", "Zeile 3"),
        # UTF-8 up to line 2, then a byte of another encoding: refused, not guessed
        (b"K\xc3\xb6chin\nB\xe4cker\n", "Zeile 2: kein Text"),
        ("Verkäufer\n".encode() + "Bäcker\nMüller\n".encode("cp1252"), "Zeile 2: kein Text"),
        ("Koch – Teilzeit\n".encode() + "Bäcker\n".encode("cp1252"), "Zeile 2: kein Text"),
        (b"Koch\rK\xc3\xb6chin\rB\xe4cker\r", "Zeile 3: kein Text"),  # CR line ends
        ("Sprzątaczka\n".encode() + "Bäcker\n".encode("cp1252"), "Zeile 2: kein Text"),
        (b"\xef\xbb\xbftitle\nKoch\n\x81Maurer\n", "Zeile 3: kein Text"),  # after a BOM
        (b"Koch\nB\x81cker\n", "Zeile 2: kein Text"),  # no character in Windows-1252
        (b"\xff\xfeK\x00o\x00\n\x00c", "Zeile 2: kein Text"),  # UTF-16 cut in half
        (b"Koch\nBa\x00cker\n", "Zeile 2"),
        (b"title,code\nKoch,1\nB\xc3\xa4cker\n", "Zeile 3"),
        (b"Ort;Berufsbezeichnung\nChemnitz;Koch\nZwickau\n", "Zeile 3"),
        # An unclosed quotation mark runs on past what the csv module reads ...
        (b'title\nKoch\n"' + b"x" * 140_000 + b"\n", "Zeile 3: ein Feld mit mehr als 131072"),
        (b'title\nKoch\n"Maurer\n' + b"Titel Nummer 1\n" * 20_000, "Zeile 3: ein Feld mit"),
        # ... or would join lines into one title, as would a line break in a cell.
        (b'title\nKoch\n"Maurer\nB\xc3\xa4cker\n', "Zeile 3: ein Zeilenumbruch in einem Feld"),
        (b'title;Ort\r\n"Koch\nChef";X\r\nMaurer;Y\r\n', "Zeile 2: ein Zeilenumbruch"),
        (b"x" * 2_000_000 + b"\n", "Zeile 1: Eine Berufsbezeichnung hat höchstens 200 Zeichen"),
    ],
)
def test_a_malformed_input_file_names_the_line(tmp_path, content, line):
    source = tmp_path / "titles.csv"
    source.write_bytes(content)
    with pytest.raises(CommandError, match=line):
        call_command("code_titles", source, tmp_path / "out.csv")


def small_sources(tmp_path):
    """A tiny source tree in the shape of ../shared/data."""
    kldb, esco, mapping = (
        tmp_path / name
        for name in ("kldb2010_fassung2020", "esco_v1.2_de", "esco_ba_mapping_eures")
    )
    for folder in (kldb, esco, mapping):
        folder.mkdir(parents=True)
    with gzip.open(kldb / "kldb2020_hierarchy.csv.gz", "wt", encoding="utf-8") as handle:
        handle.write(
            "code,level,title,short_title,parent_code,general_notes\n"
            "2,1,Produktion,Produktion,,\n26112,5,Mechatronik,Mechatronik,2611,\n"
        )
    (kldb / "berufsbenennungen_80pct.csv").write_text("title,kldb5\nMechatroniker/in,26112\n")
    (kldb / "kldb2020_to_isco08.csv").write_text(
        "kldb5,isco4,rank,kldb_title_en,isco_title_en\n26112,7421,1,Mechatronics,Repairers\n"
    )
    (mapping / "esco_occupation_to_ba_beruf.csv").write_text(
        "esco_uri,kldb5,ba_beruf_id,ba_beruf_label,relation\n"
        "http://e/1,26112,B 26112-100,Mechatroniker,skos:exactMatch\n"
    )
    with gzip.open(esco / "occupations_de.csv.gz", "wt", encoding="utf-8") as handle:
        handle.write(
            "conceptUri,code,iscoGroup,preferredLabel,altLabels\n"
            'http://e/1,7421.1,7421,Mechatroniker/Mechatronikerin,"A\nB"\n'
        )
    (esco / "ISCOGroups_de.csv").write_text("code,preferredLabel\n7421,Elektroniker\n")
    with gzip.open(esco / "derived_skill_labels_de.csv.gz", "wt", encoding="utf-8") as handle:
        handle.write("skill_uri,preferred_label_de,skill_type,alt_labels_de\nhttp://s/1,Löten,,\n")
    return tmp_path


def test_build_occupations_rebuilds_the_shipped_files_from_the_sources(tmp_path):
    target = tmp_path / "out"
    call_command("build_occupations", source=small_sources(tmp_path), target=target)
    with gzip.open(target / "job_titles.csv.gz", "rt", encoding="utf-8") as handle:
        titles = list(csv.DictReader(handle))
    assert [(t["title"], t["source"]) for t in titles] == [
        ("Mechatroniker/in", "bb"),
        ("Mechatroniker", "ba"),
    ]
    with gzip.open(target / "esco_occupations.csv.gz", "rt", encoding="utf-8") as handle:
        assert next(csv.DictReader(handle))["alt_labels"] == "A|B"
    assert sorted(p.name for p in target.iterdir()) == sorted(
        p.name for p in DATA_DIR.glob("*.csv.gz")
    )


def test_a_missing_source_leaves_the_shipped_files_as_they_were(tmp_path):
    source = small_sources(tmp_path / "shared")
    (source / "esco_v1.2_de" / "derived_skill_labels_de.csv.gz").unlink()  # the last one read
    target = tmp_path / "data"
    target.mkdir()
    for path in DATA_DIR.glob("*.csv.gz"):
        (target / path.name).write_bytes(b"as shipped")
    with pytest.raises(CommandError, match=r"derived_skill_labels_de\.csv\.gz not found"):
        call_command("build_occupations", source=source, target=target)
    assert {path.name: path.read_bytes() for path in target.iterdir()} == {
        path.name: b"as shipped" for path in DATA_DIR.glob("*.csv.gz")
    }


def test_build_occupations_without_sources_says_where_it_looked(tmp_path):
    with pytest.raises(CommandError, match="not found"):
        call_command("build_occupations", source=tmp_path / "missing")


def workbook(path, rows):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def test_code_titles_reads_the_title_column_of_a_workbook(tmp_path):
    source = workbook(
        tmp_path / "stellen.xlsx",
        [["Nr.", "Title"], [1, "Mechatroniker/in (m/w/d)"], [None, None], [3, "Pflegefachfrau"]],
    )
    call_command("code_titles", source, tmp_path / "out.csv", top=1)
    rows = read(tmp_path / "out.csv")
    assert [(row["title"], row["kldb5"]) for row in rows] == [
        ("Mechatroniker/in (m/w/d)", "26112"),
        ("Pflegefachfrau", "81302"),
    ]


def test_a_workbook_column_headed_in_german_is_found(tmp_path):
    rows = [["Ort", "Stellenbezeichnung"], ["Chemnitz", "Pflegefachfrau"]]
    call_command("code_titles", workbook(tmp_path / "s.xlsx", rows), tmp_path / "o.csv", top=1)
    assert [(row["title"], row["kldb5"]) for row in read(tmp_path / "o.csv")] == [
        ("Pflegefachfrau", "81302")
    ]


def test_a_workbook_without_a_title_column_is_read_from_its_first_column(tmp_path):
    source = workbook(tmp_path / "stellen.xlsx", [["Koch", "Küche"], ["Schweißer WIG", ""]])
    call_command("code_titles", source, tmp_path / "out.csv", top=1)
    assert [row["title"] for row in read(tmp_path / "out.csv")] == ["Koch", "Schweißer WIG"]


@pytest.mark.parametrize(
    ("rows", "line"),
    [
        ([["id", "title"], [1, "Koch"], [2, "(m/w/d)"]], "Zeile 3: .* kein Wort"),
        ([["title"], ["Koch"], ["x" * 300]], "Zeile 3: Eine Berufsbezeichnung hat höchstens"),
    ],
)
def test_a_bad_cell_of_a_workbook_names_its_line(tmp_path, rows, line):
    source = workbook(tmp_path / "stellen.xlsx", rows)
    with pytest.raises(CommandError, match=line):
        call_command("code_titles", source, tmp_path / "out.csv")


def test_the_header_is_the_first_row_that_is_not_empty(tmp_path):
    source = workbook(tmp_path / "stellen.xlsx", [[], ["Nr.", "title"], [1, "- Koch"]])
    call_command("code_titles", source, tmp_path / "out.csv", top=1)
    assert [row["title"] for row in read(tmp_path / "out.csv")] == ["Koch"]  # bullet gone


def test_a_caption_above_the_header_is_not_read_as_a_title(tmp_path):
    rows = [["Stellenangebote der Jobmesse 2026"], [], ["Nr.", "Berufsbezeichnung"], [1, "Koch"]]
    call_command("code_titles", workbook(tmp_path / "s.xlsx", rows), tmp_path / "o.csv", top=1)
    assert [row["title"] for row in read(tmp_path / "o.csv")] == ["Koch"]


def test_beruf_below_a_caption_heads_a_sheet_of_one_column(tmp_path):
    rows = [["Stellen der Jobmesse 2026"], ["Beruf"], ["Koch"], ["Maurer"]]
    with open(workbook(tmp_path / "s.xlsx", rows), "rb") as handle:
        assert services.read_titles(handle) == ["Koch", "Maurer"]


def test_position_further_down_a_sheet_of_titles_is_one_of_them(tmp_path):
    rows = [["Koch"], ["Bäcker"], ["Position"], ["Maurer"]]
    with open(workbook(tmp_path / "s.xlsx", rows), "rb") as handle:
        assert services.read_titles(handle) == ["Koch", "Bäcker", "Position", "Maurer"]


def test_a_data_cell_that_reads_like_a_header_is_still_data(tmp_path):
    rows = [["Koch", "Chemnitz"], ["Maurer", "Titel"], ["Bäcker", "Zwickau"]]
    call_command("code_titles", workbook(tmp_path / "s.xlsx", rows), tmp_path / "o.csv", top=1)
    assert [row["title"] for row in read(tmp_path / "o.csv")] == ["Koch", "Maurer", "Bäcker"]


@pytest.mark.parametrize("count", [3, 25])
def test_a_workbook_without_a_header_is_read_from_its_first_row(tmp_path, count):
    titles = [f"Koch {i}" for i in range(count)]
    rows = [[title, "Chemnitz"] for title in titles]
    call_command("code_titles", workbook(tmp_path / "s.xlsx", rows), tmp_path / "o.csv", top=1)
    assert [row["title"] for row in read(tmp_path / "o.csv")] == titles


def test_a_hidden_sheet_before_the_visible_one_is_not_read(tmp_path):
    book = Workbook()
    book.active.append(["Auswahlliste"])
    book.active.sheet_state = "hidden"
    sheet = book.create_sheet("Stellen")
    for row in (["Titel"], ["Koch"], ["Maurer"]):
        sheet.append(row)
    book.save(tmp_path / "s.xlsx")
    with open(tmp_path / "s.xlsx", "rb") as handle:
        assert services.read_titles(handle) == ["Koch", "Maurer"]


@pytest.mark.parametrize("empty", [b"<v />", b"<v></v>"])  # openpyxl without or with lxml
def test_a_formula_saved_without_its_result_is_named_not_lost(tmp_path, empty):
    source = workbook(tmp_path / "s.xlsx", [["Titel"], ["Koch"], ['=A2&"in"'], ["Maurer"]])
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(tmp_path / "w.xlsx", "w") as copy:
        for item in original.infolist():
            copy.writestr(item, original.read(item).replace(b"<v />", empty))
    written = tmp_path / "w.xlsx"
    with open(written, "rb") as handle, pytest.raises(services.TitleFileError, match="Zeile 3: "):
        services.read_titles(handle)


@pytest.mark.parametrize(
    ("results", "titles"),
    [
        ({b"A2": b"K\xc3\xb6chin", b"A3": b""}, ["Köchin", "Maurer"]),
        ({b"A2": b"", b"A3": b""}, ["Maurer"]),  # every formula left empty, as IF can
    ],
)
def test_formulas_are_read_as_the_results_excel_saved_with_them(tmp_path, results, titles):
    rows = [["Titel", "Vorlage"], ['=B2&"in"', "Köch"], ['=IF(B3="","",B3)', None], ["Maurer"]]
    source = workbook(tmp_path / "s.xlsx", rows)
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(tmp_path / "e.xlsx", "w") as copy:
        for item in original.infolist():
            content = original.read(item)
            for cell, result in results.items():  # Excel computes each formula as it saves
                content = content.replace(
                    b'<c r="' + cell + b'"><f>', b'<c r="' + cell + b'" t="str"><f>'
                )
                content = re.sub(
                    rb'(<c r="' + cell + rb'" t="str"><f>[^<]*</f>)<v\s*/>',
                    rb"\1<v>" + result + rb"</v>",
                    content,
                )
            copy.writestr(item, content)
    with open(tmp_path / "e.xlsx", "rb") as handle:
        assert services.read_titles(handle) == titles  # an empty result: no title


def test_formatting_far_below_the_titles_does_not_make_a_workbook_too_long(tmp_path, monkeypatch):
    monkeypatch.setattr(services, "MAX_WORKBOOK_ROWS", 50)
    book = Workbook()
    for row in (["Titel"], ["Koch"]):
        book.active.append(row)
    book.active.cell(row=150, column=1).number_format = "0.00"  # formatted, empty
    book.save(tmp_path / "s.xlsx")
    with open(tmp_path / "s.xlsx", "rb") as handle:
        assert services.read_titles(handle) == ["Koch"]


def overwritten(path, content):
    path.write_bytes(content)
    return path


def damaged(path, part, content):
    """A copy of the workbook ``path`` with one of its parts replaced."""
    copy = path.with_name(f"damaged-{path.name}")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(copy, "w") as target:
        for item in source.infolist():
            target.writestr(item, content if item.filename == part else source.read(item))
    return copy


@pytest.mark.parametrize(
    "broken",
    [
        lambda path: overwritten(path, b"PK\x03\x04 not really a workbook"),
        lambda path: damaged(path, "xl/worksheets/sheet1.xml", b"<worksheet><sheetData><row>"),
        lambda path: damaged(path, "xl/workbook.xml", b"<workbook"),
    ],
)
def test_a_broken_workbook_is_named_so(tmp_path, broken):
    source = broken(workbook(tmp_path / "stellen.xlsx", [["title"], ["Koch"]]))
    with pytest.raises(CommandError, match="keine lesbare Excel-Arbeitsmappe"):
        call_command("code_titles", source, tmp_path / "out.csv")


def test_a_workbook_that_unpacks_to_too_much_is_refused_before_it_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(services, "MAX_WORKBOOK_UNPACKED", 1_000_000)
    rows = [["title"], *([f"Koch {i}" + " x" * 100] for i in range(5000))]
    source = workbook(tmp_path / "stellen.xlsx", rows)
    with pytest.raises(CommandError, match="größer als 1 MB"):
        call_command("code_titles", source, tmp_path / "out.csv")


def test_an_old_excel_file_asks_for_xlsx_or_csv(tmp_path):
    source = tmp_path / "stellen.xls"
    source.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    with pytest.raises(CommandError, match="als XLSX oder CSV"):
        call_command("code_titles", source, tmp_path / "out.csv")
