"""History import: a clinic's visit export (CSV) -> patients, visits and recall schedules.

Columns: patient_id,first_name,last_name,phone,email,location,service,provider,visit_date,status,amount
(header required; status optional, default completed; dates YYYY-MM-DD), and optionally sms_consent and
email_consent (yes/no, blank when not recorded): a yes records consent with source "import".

Every row is checked on its own and rejected with its line number and reason; good rows are imported
in bulk even when others are rejected. Line numbers are physical lines of the file (the ones an editor
shows): blank lines count, and a row whose quoted field spans lines is reported at the line it starts
on. Bytes that are not UTF-8 reject only the rows they sit in. Amounts must fit a visit's value (under
$10,000,000, two decimals); dates must fall between 1900-01-01 and two years from today.

Rows are written in chunks of whole patients (each chunk its own transaction), and `progress` (if
given) is called with the report as it grows, so a background job can show running counts. After each
chunk it is called inside that chunk's transaction (`report.chunks_written` tells which), so a job can
record the counts as a checkpoint that commits with the rows or not at all. A run that stops half way
resumes from that checkpoint (`resume=`): the file is read again, which gives the same chunks in the
same order for the same file and `now`, and the chunks already written are skipped, so the counts end
as an uninterrupted run's. Repeating a whole run is also safe: rows already written are recognised by
their import key.

A row's `import_key` is the SHA-256 of its normalised visit fields (patient, service, location, date,
status, amount, provider), so re-importing a file, or an overlapping export, adds nothing.

Dirty history rule: recall must never fire on data it cannot trust. When a row is rejected for a
reason that leaves the patient's history for a known service uncertain (unknown location, missing or
unparseable or future date, bad status or amount, impossible phone), that patient x service schedule
is marked untrusted and never sends, even if other rows for it imported fine (we cannot know whether
the rejected row was the latest visit). Rows rejected for an unknown service can't be tied to a
schedule; exact duplicates carry no new information and mark nothing. A visit later recorded by staff
(front desk or API) for that service clears the flag; so can an owner in the admin.
"""

import csv
import functools
import hashlib
import io
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from medspa.models import ConsentEvent, Location, Patient, Provider, Service, Visit
from medspa.phones import normalize_phone

from .models import RecallSchedule
from .schedules import cancel_queued, sync_schedules

COLUMNS = ("patient_id", "first_name", "last_name", "phone", "email", "location", "service", "provider",
           "visit_date", "status", "amount")
REQUIRED = ("patient_id", "location", "service", "visit_date")
# Optional consent columns: what the clinic's system recorded. Blank means "not recorded"; a yes grants
# consent (source "import", with a ConsentEvent); a no never takes away consent recorded elsewhere.
CONSENT_COLUMNS = ("sms_consent", "email_consent")
CONSENT_VALUES = {"yes": True, "y": True, "true": True, "1": True, "x": True, "opted in": True,
                  "no": False, "n": False, "false": False, "0": False, "": None}
STATUSES = {"completed": Visit.Status.COMPLETED, "complete": Visit.Status.COMPLETED, "booked": Visit.Status.BOOKED,
            "scheduled": Visit.Status.BOOKED, "cancelled": Visit.Status.CANCELLED, "canceled": Visit.Status.CANCELLED,
            "no_show": Visit.Status.NO_SHOW, "no-show": Visit.Status.NO_SHOW, "noshow": Visit.Status.NO_SHOW}


EARLIEST_VISIT = date(1900, 1, 1)
BOOKING_HORIZON = timedelta(days=2 * 365)
MAX_AMOUNT = Decimal("9999999.99")  # Visit.value: 9 digits, 2 decimals
CHUNK_ROWS = 2000
PROGRESS_EVERY = 1000


class HeaderError(ValueError):
    pass


@dataclass
class Rejection:
    line: int
    reason: str
    patient_id: str = ""
    service: str = ""


@dataclass
class ImportReport:
    rows_read: int = 0
    visits_imported: int = 0
    already_imported: int = 0
    patients_created: int = 0
    patients_updated: int = 0
    schedules_untrusted: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    warnings: list[Rejection] = field(default_factory=list)
    lines_read: int = 0  # physical lines, for a progress bar (of `total_lines`)
    total_lines: int = 0
    rows_written: int = 0  # good rows written so far (imported or already there)
    chunks_written: int = 0  # committed chunks: where a resumed run starts

    def counts(self) -> dict:
        return {f.name: len(self.rejected) if f.name == "rejected" else getattr(self, f.name)
                for f in fields(self) if f.name != "warnings"}

    def as_dict(self) -> dict:
        return {**self.counts(), "rejected": [asdict(r) for r in self.rejected],
                "warnings": [asdict(w) for w in self.warnings]}

    def as_text(self) -> str:
        lines = [
            f"Rows read:            {self.rows_read}",
            f"Visits imported:      {self.visits_imported}",
            f"Already imported:     {self.already_imported}",
            f"Patients created:     {self.patients_created}",
            f"Patients updated:     {self.patients_updated}",
            f"Rows rejected:        {len(self.rejected)}",
            f"Untrusted schedules:  {self.schedules_untrusted} (no recall until the history is fixed)",
        ]
        for r in self.rejected:
            lines.append(f"  line {r.line}: {r.reason}")
        for w in self.warnings:
            lines.append(f"  line {w.line} (imported): {w.reason}")
        return "\n".join(lines)


@dataclass
class GoodRow:
    line: int
    patient_id: str
    first_name: str
    last_name: str
    phone: str | None
    email: str
    location: Location
    service: Service
    provider: Provider | None
    visit_date: date
    status: str
    amount: Decimal
    key: str
    sms_consent: bool | None = None
    email_consent: bool | None = None


def import_key(patient_id, service, location, visit_date, status, amount, provider) -> str:
    normalised = "|".join([patient_id.strip().lower(), str(service.pk), str(location.pk), visit_date.isoformat(),
                           status, f"{amount:.2f}", provider.name.lower() if provider else ""])
    return hashlib.sha256(normalised.encode()).hexdigest()


def physical_rows(text: str):
    """(first physical line, cells) for each CSV record; blank lines yield nothing but still count."""
    reader = csv.reader(io.StringIO(text, newline=""))
    end = 0
    for cells in reader:
        start, end = end + 1, reader.line_num
        yield start, end, cells


# What a chunk's transaction changes; a resumed run starts from these (ImportReport.counts() of its checkpoint).
WRITE_COUNTS = ("visits_imported", "already_imported", "patients_created", "patients_updated", "rows_written",
                "chunks_written")


def import_history(source, *, consent: bool = False, today: date | None = None, locations=None,
                   progress: Callable[[ImportReport], None] | None = None, now: datetime | None = None,
                   resume: dict | None = None) -> ImportReport:
    """Import a CSV (text, bytes or file object).

    `consent`: the clinic confirms these patients agreed to texts. `locations`: the locations rows may
    name (the uploader's own, on the web page); any other location is reported as unknown. `resume`: the
    counts of the last committed chunk of an earlier run of this file with the same `now`.
    """
    text = _read(source)
    rows = physical_rows(text)
    first = next(rows, None)
    header = [h.strip().lower() for h in first[2]] if first else []
    missing = [c for c in COLUMNS if c not in header and c != "status"]
    if not header or missing or any(_not_utf8(h) for h in header):
        raise HeaderError("The first line must be the header " + ",".join(COLUMNS)
                          + (f" (missing: {', '.join(missing)})" if header and missing else "") + ".")
    report = ImportReport(total_lines=text.count("\n") + (0 if text.endswith("\n") else 1))
    by_name = {}
    for loc in (Location.objects.all() if locations is None else locations):
        by_name[loc.name.strip().lower()] = loc
        by_name[loc.slug.lower()] = loc
    services = Service.objects.lookup_table()
    allowed = {loc.pk for loc in by_name.values()}
    provider_qs = Provider.objects.all() if locations is None else Provider.objects.filter(
        locations__in=allowed).distinct()  # an uploader names only providers of their own locations
    providers = {p.name.strip().lower(): p for p in provider_qs}
    now = now or timezone.now()
    for name in WRITE_COUNTS:
        setattr(report, name, (resume or {}).get(name, 0))
    good: list[GoodRow] = []
    seen: dict[str, int] = {}
    dirty: set[tuple[str, int]] = set()
    for line, end, cells in rows:
        report.lines_read = end
        if progress and report.rows_read % PROGRESS_EVERY == 0:
            progress(report)
        row = {k: (v or "").strip() for k, v in zip(header, cells, strict=False) if k}
        if not any(row.values()):
            continue
        report.rows_read += 1
        if any(_not_utf8(v) for v in cells):
            report.rejected.append(Rejection(line, "bytes that are not UTF-8 text (save the file as UTF-8)",
                                             _printable(row.get("patient_id", "")), _printable(row.get("service", ""))))
            continue
        parsed = _check_row(line, row, by_name, services, providers, now, today, report)
        if isinstance(parsed, GoodRow):
            if parsed.key in seen:
                report.rejected.append(Rejection(line, f"duplicate row (same as line {seen[parsed.key]})",
                                                 parsed.patient_id, parsed.service.name))
                continue
            seen[parsed.key] = line
            good.append(parsed)
        elif parsed is not None:  # a rejection that leaves a known service's history uncertain
            dirty.add(parsed)
    if locations is not None:
        good, dirty = _without_foreign_patients(good, dirty, allowed, seen, report)
    if progress:
        progress(report)
    for number, chunk in enumerate(_patient_chunks(good), start=1):
        if number <= report.chunks_written:
            continue  # committed by an earlier run of this job
        with transaction.atomic():
            _write(chunk, set(), report, consent=consent, now=now)
            report.rows_written += len(chunk)
            report.chunks_written = number
            if progress:
                progress(report)  # inside the transaction: the checkpoint commits with the rows
    if dirty:
        with transaction.atomic():
            _write([], dirty, report, consent=consent, now=now)
    return report


def _without_foreign_patients(good, dirty, allowed: set[int], seen: dict, report: ImportReport):
    """Rows whose patient_id is a patient of a location the uploader does not serve are rejected: an
    import never changes or adds to another location's patient."""
    ids = {r.patient_id for r in good} | {pid for pid, _ in dirty}
    foreign = set(Patient.objects.filter(external_id__in=ids).exclude(location_id__in=allowed)
                  .values_list("external_id", flat=True))
    if not foreign:
        return good, dirty
    for r in good:
        if r.patient_id in foreign:
            report.rejected.append(Rejection(seen[r.key], "patient_id belongs to a patient of another location",
                                             r.patient_id, r.service.name))
    return [r for r in good if r.patient_id not in foreign], {d for d in dirty if d[0] not in foreign}


def _patient_chunks(good: list[GoodRow]):
    """About CHUNK_ROWS rows at a time, never splitting one patient's rows (the newest describes them)."""
    by_patient: dict[str, list[GoodRow]] = {}
    for r in good:
        by_patient.setdefault(r.patient_id, []).append(r)
    chunk: list[GoodRow] = []
    for rows in by_patient.values():
        chunk.extend(rows)
        if len(chunk) >= CHUNK_ROWS:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _read(source) -> str:
    """Text with any bytes that are not UTF-8 kept as lone surrogates, so only their rows are rejected."""
    data = source.read() if hasattr(source, "read") else source
    if isinstance(data, bytes):
        data = data.decode("utf-8", errors="surrogateescape")
    return data.lstrip("\ufeff")


def _not_utf8(value: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in value)


def _printable(value: str) -> str:
    return value.encode("utf-8", errors="surrogateescape").decode("utf-8", errors="replace")


# A patient's rows repeat their phone: parse each distinct text once.
_normalize_phone = functools.lru_cache(maxsize=65536)(normalize_phone)


def _check_row(line, row, locations, services, providers, now, today, report):
    """A GoodRow, or None (rejected, nothing to distrust), or (patient_id, service_id) to distrust."""
    pid = row.get("patient_id", "")
    service = services.get(row.get("service", "").lower())

    def reject(reason: str, taints: bool = True):
        report.rejected.append(Rejection(line, reason, pid, row.get("service", "")))
        return (pid, service.pk) if taints and service and pid else None

    for column in REQUIRED:
        if not row.get(column):
            if column == "visit_date":
                return reject("missing date")
            return reject(f"missing {column.replace('_', ' ')}", taints=column != "service")
    if service is None:
        return reject(f"unknown service “{row['service']}”", taints=False)
    location = locations.get(row["location"].lower())
    if location is None:
        return reject(f"unknown location “{row['location']}”")
    try:
        visit_date = date.fromisoformat(row["visit_date"])
    except ValueError:
        return reject(f"unparseable date “{row['visit_date']}” (use YYYY-MM-DD)")
    if visit_date < EARLIEST_VISIT:
        return reject(f"visit date {visit_date.isoformat()} is before {EARLIEST_VISIT.year}: check the export")
    status = STATUSES.get((row.get("status") or "completed").lower())
    if status is None:
        return reject(f"unknown status “{row['status']}” (completed, booked, cancelled or no_show)")
    local_today = today or now.astimezone(location.tz).date()
    if status == Visit.Status.COMPLETED and visit_date > local_today:
        return reject(f"visit date {visit_date.isoformat()} is in the future for a completed visit")
    if visit_date > local_today + BOOKING_HORIZON:
        return reject(f"visit date {visit_date.isoformat()} is more than two years ahead: check the export")
    phone = None
    if row.get("phone"):
        phone = _normalize_phone(row["phone"])
        if phone is None:
            return reject(f"impossible phone “{row['phone']}”")
    text = (row.get("amount") or "").replace("$", "").replace(",", "").strip()
    try:
        amount = Decimal(text or "0")
        if not amount.is_finite() or amount < 0:
            raise InvalidOperation
        if amount > MAX_AMOUNT:
            return reject(f"amount “{row.get('amount')}” is more than a visit can cost (over $9,999,999.99)")
        amount = amount.quantize(Decimal("0.01"))
    except InvalidOperation:
        return reject(f"unparseable amount “{row.get('amount')}” (use a number like 450 or 450.00)")
    provider = None
    if row.get("provider"):
        provider = providers.get(row["provider"].lower())
        if provider is None:
            report.warnings.append(Rejection(line, f"unknown provider “{row['provider']}” left blank", pid))
    consent = {}
    for column in CONSENT_COLUMNS:
        value = (row.get(column) or "").strip().lower()
        if value not in CONSENT_VALUES:
            return reject(f"{column} “{row[column]}” is not yes or no (leave it blank when not recorded)",
                          taints=False)
        consent[column] = CONSENT_VALUES[value]
    if consent["email_consent"] and not row.get("email"):
        return reject("email_consent is yes but the row has no email address", taints=False)
    return GoodRow(
        **consent, line=line, patient_id=pid, first_name=row.get("first_name", ""), last_name=row.get("last_name", ""),
        phone=phone, email=row.get("email", ""), location=location, service=service, provider=provider,
        visit_date=visit_date, status=status, amount=amount,
        key=import_key(pid, service, location, visit_date, status, amount, provider),
    )


def _write(good: list[GoodRow], dirty, report: ImportReport, *, consent: bool, now: datetime) -> None:
    ids = {r.patient_id for r in good} | {pid for pid, _ in dirty}
    patients = {p.external_id: p for p in Patient.objects.filter(external_id__in=ids)}
    latest: dict[str, GoodRow] = {}
    for r in good:  # the newest row describes the patient best
        if r.patient_id not in latest or r.visit_date >= latest[r.patient_id].visit_date:
            latest[r.patient_id] = r
    new, changed, granted = [], [], {}
    for pid, r in latest.items():
        patient = patients.get(pid)
        values = {"first_name": r.first_name, "last_name": r.last_name, "email": r.email}
        if r.phone:
            values["phone"] = r.phone
        sms = r.sms_consent if r.sms_consent is not None else (consent or None)
        if patient is None:
            patient = Patient(external_id=pid, location=r.location, first_name=r.first_name or "Patient",
                              last_name=r.last_name, email=r.email, phone=r.phone or "")
            granted[pid] = _grant_consent(patient, sms=sms, email=r.email_consent, now=now)
            new.append(patient)
            continue
        updates = {k: v for k, v in values.items() if v and str(getattr(patient, k)) != v}
        granted[pid] = _grant_consent(patient, sms=sms, email=r.email_consent, now=now)
        if updates or granted[pid]:
            for k, v in updates.items():
                setattr(patient, k, v)
            changed.append(patient)
    Patient.objects.bulk_create(new, batch_size=1000)
    Patient.objects.bulk_update(changed, ["first_name", "last_name", "email", "phone", *CONSENT_FIELDS],
                                batch_size=1000)
    report.patients_created += len(new)
    report.patients_updated += len(changed)
    if connection.features.can_return_rows_from_bulk_insert:  # PostgreSQL, SQLite: the new rows have pks
        patients.update((p.external_id, p) for p in new)
    else:
        patients = {p.external_id: p for p in Patient.objects.filter(external_id__in=ids)}
    ConsentEvent.objects.bulk_create([
        ConsentEvent(patient=patients[pid], channel=channel, kind=ConsentEvent.Kind.OPT_IN, source="import",
                     phone=str(patients[pid].phone or "") if channel == "sms" else "",
                     email=patients[pid].email if channel == "email" else "", created_at=now)
        for pid, channels in granted.items() for channel in channels
    ], batch_size=1000)
    keys = [r.key for r in good]
    existing = set(Visit.objects.filter(import_key__in=keys).values_list("import_key", flat=True))
    visits = []
    for r in good:
        if r.key in existing:
            report.already_imported += 1
            continue
        tz = r.location.tz
        visits.append(Visit(
            patient=patients[r.patient_id], service=r.service, provider=r.provider, location=r.location,
            starts_at=datetime.combine(r.visit_date, time(12, 0), tzinfo=tz), status=r.status, value=r.amount,
            source=Visit.Source.IMPORT, import_key=r.key,
        ))
    created = Visit.objects.bulk_create(visits, batch_size=1000, ignore_conflicts=True)
    report.visits_imported += len(created)
    touched = {patients[r.patient_id].pk for r in good}
    if touched:
        sync_schedules(Visit.objects.filter(patient_id__in=touched), now=now)
    report.schedules_untrusted += mark_untrusted(
        {(patients[pid].pk, sid) for pid, sid in dirty if pid in patients}, now=now)


CONSENT_FIELDS = ("sms_consent", "sms_consent_source", "sms_consent_at",
                  "email_consent", "email_consent_source", "email_consent_at")


def _grant_consent(patient: Patient, *, sms: bool | None, email: bool | None, now: datetime) -> list[str]:
    """Consent the file grants (never taken away here); returns the channels newly granted."""
    granted = []
    for channel, given in (("sms", sms), ("email", email)):
        if given and not getattr(patient, f"{channel}_consent"):
            setattr(patient, f"{channel}_consent", True)
            setattr(patient, f"{channel}_consent_at", now)
            setattr(patient, f"{channel}_consent_source", Patient.ConsentSource.IMPORT)
            granted.append(channel)
    return granted


def mark_untrusted(pairs: set[tuple[int, int]], *, now: datetime) -> int:
    """Flag these patient x service schedules: some of their history was rejected."""
    if not pairs:
        return 0
    note = f"History import on {now:%Y-%m-%d} rejected rows for this service."
    schedules = {(s.patient_id, s.service_id): s for s in RecallSchedule.objects.filter(
        patient_id__in={p for p, _ in pairs})}
    new = []
    for pair in pairs:
        schedule = schedules.get(pair)
        if schedule is None:
            new.append(RecallSchedule(patient_id=pair[0], service_id=pair[1], trusted=False, quality_note=note,
                                      state=RecallSchedule.State.CLOSED))
        else:
            schedule.trusted, schedule.quality_note = False, note
            schedule.state, schedule.next_action_at = RecallSchedule.State.CLOSED, None
    RecallSchedule.objects.bulk_create(new)
    RecallSchedule.objects.bulk_update([s for k, s in schedules.items() if k in pairs],
                                       ["trusted", "quality_note", "state", "next_action_at"])
    cancel_queued(Q(schedule__patient_id__in={p for p, _ in pairs}, schedule__trusted=False),
                  "History marked untrusted by an import.")
    return len(pairs)
