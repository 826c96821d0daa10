"""Form validation actions, one module per form: guiding questions (guide.py), the merged application
form (application.py) and the status query (status.py); base.py holds what they share.

Contract with the domain: forms guide_form, application_form and status_form; slot `scenario`;
one slot per question and field id (bot/domain/generated.yml, custom mappings, filled here);
`form_fields` (the merged form's ask order, set by action_explain_plan); utter_ask_<slot> responses.
Values are validated by the API only (one validator implementation).
"""

from actions.forms.application import ValidateApplicationForm
from actions.forms.guide import ValidateGuideForm
from actions.forms.status import ValidateStatusForm

__all__ = ["ValidateApplicationForm", "ValidateGuideForm", "ValidateStatusForm"]
