"""The agents' web pages. Views parse input, call one query or action, and render."""
