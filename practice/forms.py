from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth.forms import SetPasswordForm

from practice.models import User


class InviteClientForm(forms.Form):
    full_name = forms.CharField(label="Client's full name", max_length=150)
    email = forms.EmailField(
        label="Client's email address",
        help_text="The invitation link is sent here. It works once, for 7 days.",
    )
    date_of_birth = forms.DateField(
        label="Date of birth (optional)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    send_questionnaire = forms.BooleanField(
        label="Send the health questionnaire with the invitation",
        required=False,
        initial=True,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Send invitation"))

    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data["email"])
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                "Someone already has an account with this email address. "
                "If they are your client, find them on your dashboard.",
                code="email_taken",
            )
        return email


class ChoosePasswordForm(SetPasswordForm):
    """Django's set-password form (with our password rules), laid out for the client."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "Choose a password"
        self.fields["new_password2"].label = "Type the same password again"
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Set my password and continue"))
