"""Text checks shared by records and mail headers (tiny: imported by the config)."""

from __future__ import annotations

import re

# line breaks (also U+2028/9), tabs, escapes and other C0/C1 control characters
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
