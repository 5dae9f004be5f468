"""The benchmark (`manage.py bench`) and its data generators."""
