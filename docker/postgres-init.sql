-- The Rasa tracker store gets its own database next to the API's.
CREATE DATABASE rasa OWNER zhengwu;
