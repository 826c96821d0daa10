"""Rasa action server for the 政务服务机器人. It speaks only HTTP to the API (api_client)."""

from privacy import install_log_masking

install_log_masking()  # the action server's logs never hold a citizen's ID, phone, card, name or address
