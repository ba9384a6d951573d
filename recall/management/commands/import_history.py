"""`manage.py import_history FILE.csv [--consent]`: import visit history and print the data-quality report."""

from django.core.management.base import BaseCommand, CommandError

from recall.importer import HeaderError, import_history


class Command(BaseCommand):
    help = "Import a clinic's visit history (CSV) and print a data-quality report."

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV with patient_id,first_name,last_name,phone,email,location,service,"
                                         "provider,visit_date,status,amount")
        parser.add_argument("--consent", action="store_true",
                            help="The clinic confirms every patient in the file agreed to receive texts.")

    def handle(self, *args, file, consent, **options):
        try:
            with open(file, "rb") as fh:  # bytes: rows that are not UTF-8 are rejected one by one
                report = import_history(fh, consent=consent)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from exc
        except HeaderError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(report.as_text())
