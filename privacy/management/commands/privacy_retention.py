"""Run the retention policy now, or with --dry-run show what a run would do without doing it."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from privacy.selectors import retention_candidates
from privacy.services import retention_run


class Command(BaseCommand):
    help = "Aplica a política de retenção (LGPD): apaga arquivos e anonimiza atendimentos encerrados há muito tempo."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Só mostra o que seria feito; nada é alterado.")

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        now = timezone.now()
        if dry_run:
            plan = retention_candidates(now=now)
            anonymise = set(plan.anonymise)
            files_only = [pk for pk in plan.files if pk not in anonymise]
            self.stdout.write(f"Simulação (nada foi alterado) em {now:%d/%m/%Y %H:%M}:")
            self.stdout.write(f"Atendimentos a anonimizar: {len(plan.anonymise)} {_numbers(plan.anonymise)}")
            self.stdout.write(f"Atendimentos com arquivos a apagar: {len(files_only)} {_numbers(files_only)}")
            self.stdout.write(f"Mantidos por retenção legal: {len(plan.held)} {_numbers(plan.held)}")
            return
        totals = retention_run(now=now)
        self.stdout.write(
            f"Atendimentos anonimizados: {totals['anonymised']}; atendimentos com arquivos apagados: {totals['files']}."
        )


def _numbers(ids: list[int]) -> str:
    return "(" + ", ".join(str(pk) for pk in ids) + ")" if ids else ""
