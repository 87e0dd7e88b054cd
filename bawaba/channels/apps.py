from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "bawaba.channels"
    label = "channels"
