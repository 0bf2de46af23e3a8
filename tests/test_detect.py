import pytest

from analyser.detect import detect
from tests.resources import SHORT


@pytest.mark.parametrize("lang,text", [(lang, t) for lang, texts in SHORT.items() for t in texts])
def test_short_statement_language(lang, text):
    assert detect(text).code == lang


@pytest.mark.parametrize("lang", sorted(SHORT))
def test_at_least_twenty_per_language(lang):
    assert len(SHORT[lang]) >= 20


def test_other_language_is_reported_as_such():
    det = detect("Il servizio di pagamento è tornato disponibile per tutti i clienti.")
    assert det.code == "it" and not det.supported


def test_too_few_letters_is_undetermined():
    assert detect("🔥🔥 100%").code == "und"


def test_authored_statements_are_detected_in_their_language():
    from analyser.data import authored_rows

    rows = authored_rows()
    wrong = [(r["id"], r["lang"], detect(r["text"]).code) for r in rows if detect(r["text"]).code != r["lang"]]
    assert len(rows) >= 800
    assert wrong == []
