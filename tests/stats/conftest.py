from .fixtures import categories, kpi_world, make_petition  # noqa: F401
