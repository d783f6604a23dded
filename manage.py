#!/usr/bin/env python
from lotse.manage import main

if __name__ == "__main__":
    main()
