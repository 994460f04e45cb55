from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'indicators'

    def ready(self) -> None:
        from indicators import snapshots

        snapshots.connect_signals()
