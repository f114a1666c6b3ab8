"""Accent- and case-insensitive folding, in Python and in the database."""

import pytest

from relaydesk.core.folding import ACCENTED, PLAIN, Fold, fold
from relaydesk.customers.models import Organization
from tests.factories import OrganizationFactory

NAMES = [
    "Câmara Municipal de Évora",
    "Farmácia São João",
    "Maria da Conceição",
    "Müller & Søn",
    "ÁÉÍÓÚ Ñandú",
    "Plain ASCII Name",
    "Ελληνικά",
]


def test_fold_removes_accents_and_case():
    assert fold("Câmara Municipal de Évora") == "camara municipal de evora"
    assert fold("CONCEIÇÃO") == "conceicao"


def test_fold_tables_pair_every_letter():
    assert len(ACCENTED) == len(PLAIN)
    assert PLAIN.isascii()


@pytest.mark.django_db
def test_database_fold_matches_python_fold():
    for name in NAMES:
        OrganizationFactory(name=name)
    folded = dict(Organization.objects.annotate(folded=Fold("name")).values_list("name", "folded"))
    assert folded == {name: fold(name) for name in NAMES}
