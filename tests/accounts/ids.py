"""Valid identifiers for tests, made with the standards' own check characters."""

from __future__ import annotations

from stdnum.cn import ric, uscc


def resident_id(born: str = "19900101", sequence: str = "123", region: str = "330599") -> str:
    """An 18-character GB 11643 number of someone born in 清溪县 (330599) on ``born``."""
    body = region + born + sequence
    return body + ric.calc_check_digit(body + "0")


def credit_code(body: str = "91330599MA2B3C4D5") -> str:
    """An 18-character GB 32100 code."""
    return body + uscc.calc_check_digit(body + "0")
