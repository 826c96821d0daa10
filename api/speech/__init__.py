"""Speech for the kiosk: replies read aloud (espeak-ng) and recorded answers turned into text."""
