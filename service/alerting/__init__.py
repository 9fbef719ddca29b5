"""Alert rules: which state changes raise an alert, to whom, under which id, with which text."""
