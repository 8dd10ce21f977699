"""`python3 -m planning ...` is the `tandem` command, for machines where it is not on PATH."""
import sys

from planning.cli import main

sys.exit(main())
