"""Rasa action server for the 政务服务机器人. It speaks only HTTP to the API (api_client)."""
