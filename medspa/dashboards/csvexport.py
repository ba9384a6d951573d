"""CSV export of a metric table, safe to open in a spreadsheet.

Text cells that a spreadsheet would read as a formula (starting with = + - @, a tab or a carriage
return) get a leading single quote (OWASP "CSV injection"). Numbers are written as numbers.
"""

import csv
from decimal import Decimal

from django.http import HttpResponse
from django.utils.text import slugify

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float, Decimal)):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_response(table, f) -> HttpResponse:
    filename = f"{slugify(table.key)}-{f.start:%Y%m%d}-{f.end:%Y%m%d}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow([safe_cell(label) for _, label in table.columns])
    for row in table.values:
        writer.writerow([safe_cell(cell) for cell in row])
    return response
