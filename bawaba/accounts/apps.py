from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "bawaba.accounts"
    label = "accounts"
