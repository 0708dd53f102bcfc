"""Numbers as CRM exports write them: `150000`, `150000.5`, `$150,000.00`, `15%`.

A comma is read only as a thousands separator (`150,000.00`, as report exports in English locales write
it; `1,50,000.00` in India's). A user's locale sets the commas and periods in a Salesforce report export
(Salesforce Help, "Locales Overview":
https://help.salesforce.com/s/articleView?id=xcloud.admin_locales_overview.htm), and German, French or
Spanish locales write `150.000,00`: dropping the commas would read that as 150 and `1,5` as 15, a deal a
thousand times too small, or ten times too large, in the wrong segment without a word. Any other comma
stops the read with what to do instead.
"""

from __future__ import annotations

import re

# The only places a comma may stand: between groups of three digits (150,000), or of two before the last
# three, as India's locale groups them (1,50,000). A decimal comma fits neither.
GROUPED = r"[+-]?([0-9]{1,3}(,[0-9]{3})+|[0-9]{1,2}(,[0-9]{2})+,[0-9]{3})(\.[0-9]*)?"
_GROUPED = re.compile(GROUPED)
NOT_GROUPING = (
    "has a comma that does not group thousands (as in 1,234.56); a decimal comma (1.234,56) is not read: "
    "export the report again as a user with an English locale, or write the column as plain numbers (1234.56)"
)


def parse_number(text: str) -> float:
    """The number `text` writes, with `$` and `%` left out; ValueError when it is none."""
    bare = text.strip().replace("$", "").replace("%", "")
    if "," in bare:
        if not _GROUPED.fullmatch(bare.strip()):
            raise ValueError(NOT_GROUPING)
        bare = bare.replace(",", "")
    return float(bare)
