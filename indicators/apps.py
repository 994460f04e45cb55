from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'indicators'

    def ready(self) -> None:
        from indicators import data_version

        data_version.connect_signals()
