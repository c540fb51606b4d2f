"""Django-free analytics: pure functions over Narwhals lazy frames and small NumPy tables."""
