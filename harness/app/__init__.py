"""The application layer: the ``landscape-audit`` command line and the pytest plugin, the only place that ties
the engine, the catalogue (``properties``) and the reports together."""
