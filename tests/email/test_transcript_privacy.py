"""The transcript e-mail names the requester's CPF only masked (LGPD: minimisation).

Threat: the whole CPF travels by e-mail, through servers and mailboxes IPM does not control.
"""

import pytest

from tickets.tasks import send_transcript


@pytest.mark.django_db
def test_the_transcript_shows_the_cpf_masked_in_both_parts(conversation, person, mailoutbox):
    ticket = conversation()
    assert send_transcript.apply(args=[ticket.pk]).get() == "sent"

    (sent,) = mailoutbox
    html = next(body for body, mimetype in sent.alternatives if mimetype == "text/html")
    digits = person.document
    masked = f"***.{digits[3:6]}.{digits[6:9]}-**"
    for body in (sent.body, html):
        assert f"CPF/CNPJ: {masked}" in body.replace("</th><td>", " ")
        assert digits not in body and person.document_display not in body
