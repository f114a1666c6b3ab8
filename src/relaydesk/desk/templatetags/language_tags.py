"""Template filter that shows a language code as the language's translated name."""

from django import template

from relaydesk.core.languages import language_name

register = template.Library()
register.filter("language_name", language_name)
