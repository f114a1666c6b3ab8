"""Django's own form messages, listed so that relaydesk's catalogue carries them.

Django's Portuguese catalogue is shared by Portugal and other countries, and
some of its form messages read wrongly in Portugal: a missing word in "não
se encontra opções" and Brazilian "Garanta que este valor tenha". As with
``names``, the entries of relaydesk's pt-PT catalogue win over Django's, on
the desk's forms and on the administration pages. Nothing imports this
module; makemessages reads it.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

CHOICES = (
    gettext_noop("Select a valid choice. %(value)s is not one of the available choices."),
    gettext_noop("Select a valid choice. That choice is not one of the available choices."),
)

LIMITS = (
    gettext_noop("Ensure this value is less than or equal to %(limit_value)s."),
    gettext_noop("Ensure this value is greater than or equal to %(limit_value)s."),
    ngettext_lazy(
        "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
        "limit_value",
    ),
    ngettext_lazy(
        "Ensure this value has at least %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at least %(limit_value)d characters (it has %(show_value)d).",
        "limit_value",
    ),
)
