from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "warmwinter.core"
    label = "core"
    verbose_name = "站点"
