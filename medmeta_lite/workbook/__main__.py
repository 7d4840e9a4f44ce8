"""``python -m medmeta_lite.workbook``: execute every notebook and build the offline site."""

import sys

from medmeta_lite.workbook.runner import main

sys.exit(main())
