from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth.forms import SetPasswordForm

from practice.models import Practitioner, Role, User


def unused_email(value: str, message: str) -> str:
    """The address, normalised, if no account has it yet."""
    email = User.objects.normalize_email(value)
    if User.objects.filter(email__iexact=email).exists():
        raise forms.ValidationError(message, code="email_taken")
    return email


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
        return unused_email(
            self.cleaned_data["email"],
            "Someone already has an account with this email address. "
            "If they are your client, find them on your dashboard.",
        )


class ChoosePasswordForm(SetPasswordForm):
    """Django's set-password form (with our password rules), laid out for the client."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "Choose a password"
        self.fields["new_password2"].label = "Type the same password again"
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Set my password and continue"))


class InviteStaffForm(forms.Form):
    full_name = forms.CharField(label="Full name", max_length=150)
    email = forms.EmailField(
        label="Email address",
        help_text="The invitation link is sent here. It works once, for 7 days.",
    )
    role = forms.TypedChoiceField(
        label="Role",
        choices=[(Role.PRACTITIONER, "Practitioner"), (Role.ADMIN, "Admin")],
        coerce=Role,
        initial=Role.PRACTITIONER,
        widget=forms.RadioSelect,
    )
    registration = forms.CharField(
        label="Professional registration (optional, practitioners)",
        max_length=200,
        required=False,
        help_text="e.g. BANT 12345, CNHC 67890. Printed on advice summaries.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Send invitation"))

    def clean_email(self) -> str:
        return unused_email(
            self.cleaned_data["email"],
            "Someone already has an account with this email address.",
        )


class DeactivateStaffForm(forms.Form):
    reassign_to = forms.ModelChoiceField(
        label="Move their clients to",
        queryset=Practitioner.objects.none(),
        required=False,
        empty_label="Nobody for now (I will assign them later)",
    )

    def __init__(self, *args, practitioner: Practitioner | None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        others = Practitioner.objects.filter(user__is_active=True).select_related(
            "user"
        )
        if practitioner is not None:
            others = others.exclude(pk=practitioner.pk)
        self.fields["reassign_to"].queryset = others
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Deactivate", css_class="btn-danger"))
