"""A large, realistic visit-history CSV for the upload journey and the import benchmark."""

import random
from datetime import date, timedelta

HEADER = "patient_id,first_name,last_name,phone,email,location,service,provider,visit_date,status,amount\n"
SERVICES = ["Botox", "Neurotoxin", "HydraFacial", "Lip filler", "Chemical peel", "Microneedling", "Laser hair removal"]


def history_csv(target_bytes: int, *, location: str = "Westside Aesthetics", seed: int = 1,
                bad_every: int = 50) -> tuple[bytes, int]:
    """About `target_bytes` of CSV (never more); every `bad_every`-th row has a bad amount. Returns (data, rows)."""
    rng = random.Random(seed)
    out, size, n = [HEADER], len(HEADER), 0
    start = date(2024, 1, 1)
    while True:
        n += 1
        pid = f"H-{n // 3:06d}"
        amount = "1e999" if n % bad_every == 0 else f"{rng.randrange(150, 900)}.00"
        line = (f"{pid},Pat{n // 3},Lee{n % 97},(310) 555-{n % 10000:04d},p{n // 3}@example.com,{location},"
                f"{rng.choice(SERVICES)},,{start + timedelta(days=rng.randrange(0, 700))},completed,{amount}\n")
        if size + len(line) > target_bytes:
            break
        out.append(line)
        size += len(line)
    return "".join(out).encode(), n - 1


def messy_history_csv(target_bytes: int, *, location: str = "Westside Aesthetics", seed: int = 2):
    """Like `history_csv` (about `target_bytes`, never more) with what real exports hold: blank lines, names
    with a quoted line break, a byte that is not UTF-8, dates like 0001-01-01 and absurd amounts.

    Returns (data, rows, rejected): `rejected` maps each bad row's first physical line (as an editor numbers
    them, the header being line 1) to a fragment of the reason the report must give."""
    rng = random.Random(seed)
    out, size, n, line = [HEADER.encode()], len(HEADER), 0, 1
    rejected: dict[int, str] = {}
    start = date(2024, 1, 1)
    while True:
        n += 1
        pid, first, last = f"M-{n // 3:06d}", f"Pat{n // 3}".encode(), f"Lee{n % 97}".encode()
        visit_date, reason = str(start + timedelta(days=rng.randrange(0, 700))), ""
        amount = f"{rng.randrange(150, 900)}.00"
        if n % 211 == 0:
            last = b'"Lee\nJunior"'  # a quoted line break: one record over two physical lines
        if n % 50 == 0:
            amount, reason = "1e999", "more than a visit can cost"
        elif n % 307 == 0:
            visit_date, reason = "0001-01-01", "is before 1900"
        elif n % 499 == 0:
            first, reason = b"Ren\xe9e", "not UTF-8"  # Latin-1, as an old export writes it
        record = (pid.encode() + b"," + first + b"," + last + f",(310) 555-{n % 10000:04d},p{n // 3}@example.com,"
                  f"{location},{rng.choice(SERVICES)},,{visit_date},completed,{amount}\n".encode())
        blank = b"\n" if n % 997 == 0 else b""
        if size + len(record) + len(blank) > target_bytes:
            break
        out.append(blank + record)
        size += len(blank) + len(record)
        line += len(blank) + 1
        if reason:
            rejected[line] = reason
        line += record.count(b"\n") - 1
    return b"".join(out), n - 1, rejected
