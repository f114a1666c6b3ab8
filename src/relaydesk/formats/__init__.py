"""Date and time formats where Django's own do not suit the desk (FORMAT_MODULE_PATH)."""
