"""Moved to :mod:`huikuan.services.delivery`; this name stays an alias of that module."""

import sys

from huikuan.services import delivery

sys.modules[__name__] = delivery
