from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'indicators'

    def ready(self) -> None:
        from indicators import data_version, snapshots

        snapshots.connect_signals()
        data_version.connect_signals()
