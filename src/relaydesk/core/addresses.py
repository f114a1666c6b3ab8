"""Internationalized e-mail addresses (RFC 6530 to 6532) and domain names (IDNA).

An address may have a UTF-8 local part (``josé@example.pt``) and a domain in
Unicode (``ana@exémplo.pt``) or in its ASCII "xn--" form. Addresses and
domains are stored as they were given, NFC-normalized and lower-cased, so
lookups that must match a domain in either form use ``domain_forms``.

NOTE: the conversions use Python's ``idna`` codec, which implements IDNA 2003.
A domain that IDNA 2003 maps differently from IDNA 2008 (``ß``, ``ς``, joiners,
compatibility characters) is left in Unicode form rather than converted to
the wrong ASCII name, so mail to it needs a relay that offers SMTPUTF8.
"""

import re
import unicodedata

# A non-ASCII character of an address. RFC 6532 allows any, but this leaves
# out C1 controls, white space, lone surrogates and the Unicode punctuation
# blocks (Latin-1, general, CJK and full-width punctuation). Curly quotes,
# guillemets or full-width brackets next to an address in a broken header
# are quoting, not part of the address.
NON_ASCII_ADDRESS_CHARACTER = (
    r"[^\x00-\xbf\s\u2000-\u206f\u2e00-\u2e7f\u3000-\u303f\ufe30-\ufe4f\ufeff"
    r"\uff00-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\ud800-\udfff]"
)
# RFC 5322 atext, plus the non-ASCII characters above.
_ATOM = rf"(?:[A-Za-z0-9!#$%&'*+/=?^_`{{|}}~-]|{NON_ASCII_ADDRESS_CHARACTER})+"
_DOT_ATOM = re.compile(rf"{_ATOM}(?:\.{_ATOM})*")


def normalize_address(address: str) -> str:
    """Return ``address`` stripped, NFC-normalized and lower-cased, the form the desk stores."""
    return unicodedata.normalize("NFC", address.strip()).lower()


def is_utf8_local_part(local_part: str) -> bool:
    """Tell whether ``local_part`` is an RFC 6532 dot-atom with at least one non-ASCII character.

    Quoted local parts with non-ASCII characters are not accepted.
    """
    return not local_part.isascii() and _DOT_ATOM.fullmatch(local_part) is not None


def ascii_domain(domain: str) -> str:
    """Return ``domain`` in its ASCII ("xn--") form, or "" when it has none that is safe to use.

    An ASCII domain is returned as it is.
    """
    if domain.isascii():
        return domain
    try:
        encoded = domain.encode("idna").decode("ascii")
    except UnicodeError:
        return ""
    # IDNA 2003 maps some characters to others ("ß" to "ss"), which would
    # name another domain. Such a domain does not come back unchanged.
    expected = unicodedata.normalize("NFC", domain).lower()
    return encoded if _unicode_form(encoded) == expected else ""


def domain_forms(domain: str) -> list[str]:
    """Return ``domain`` and, where one exists, its other IDNA form (ASCII or Unicode)."""
    other = ascii_domain(domain) if not domain.isascii() else _unicode_form(domain)
    return [domain, other] if other and other != domain else [domain]


def address_forms(address: str) -> list[str]:
    """Return ``address`` and, where its domain has one, the address with the other IDNA form.

    ``ana@exémplo.pt`` and ``ana@xn--exmplo-bva.pt`` reach one mailbox, so a
    lookup of a sender's contact matches either.
    """
    local_part, at, domain = address.rpartition("@")
    if not at or (domain.isascii() and "xn--" not in domain):
        return [address]
    return [f"{local_part}@{form}" for form in domain_forms(domain)]


def transport_address(address: str) -> str:
    """Return ``address`` as it goes into an envelope and headers.

    A Unicode domain after an ASCII local part is written in its ASCII form,
    so any relay takes the address. An address that stays non-ASCII needs a
    relay that offers SMTPUTF8.
    """
    local_part, at, domain = address.rpartition("@")
    if not at or not local_part.isascii() or domain.isascii():
        return address
    encoded = ascii_domain(domain)
    return f"{local_part}@{encoded}" if encoded else address


def _unicode_form(domain: str) -> str:
    try:
        return domain.encode("ascii").decode("idna").lower()
    except UnicodeError:
        return ""
