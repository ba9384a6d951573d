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
