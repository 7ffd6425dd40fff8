"""Subscription forms: subscribe (address + preferences) and manage (preferences only); they
validate, :mod:`paperfeed.digests.subscriptions` stores."""

from __future__ import annotations

from django import forms

from paperfeed.digests import choices
from paperfeed.digests.models import Subscriber, validate_categories, validate_timezone
from paperfeed.digests.subscriptions import PREFERENCES

MAX_SAVED_SEARCHES = 20


class PreferencesForm(forms.ModelForm):
    saved_searches = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One search per line; new papers matching it go into your digest "
        "(e.g. kv cache offloading).",
    )

    timezone = forms.ChoiceField(
        initial="UTC",
        help_text="Your local time zone; the digest is sent at the hour above in it.",
        error_messages={
            "invalid_choice": "%(value)s is not a known time zone (e.g. Europe/Paris)."
        },
    )
    categories = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="New papers in these arXiv categories go into your digest.",
        error_messages={
            "invalid_choice": "%(value)s is not an arXiv category (pick from the list, e.g. cs.LG)."
        },
    )

    class Meta:
        model = Subscriber
        fields = list(PREFERENCES)
        widgets = {"send_hour": forms.NumberInput(attrs={"min": 0, "max": 23})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.category_list
        self.fields["timezone"].choices = choices.timezone_choices()
        self.fields["categories"].choices = choices.category_choices(keep=current)
        if self.instance.pk:
            self.initial["categories"] = current
        if self.instance.pk:
            self.fields["saved_searches"].initial = "\n".join(
                s.query for s in self.instance.saved_searches.all()
            )

    def clean_send_hour(self) -> int:
        hour = self.cleaned_data["send_hour"]
        if not 0 <= hour <= 23:
            raise forms.ValidationError("Choose an hour from 0 to 23.")
        return hour

    def clean_top_n(self) -> int:
        top_n = self.cleaned_data["top_n"]
        if top_n > 50:
            raise forms.ValidationError("At most 50 trending papers.")
        return top_n

    def clean_timezone(self) -> str:
        name = self.cleaned_data["timezone"]
        validate_timezone(name)  # the choices are the same names; the model's rule stays the judge
        return name

    def clean_categories(self) -> str:
        """The checked categories as the model stores them: space-separated, in list order."""
        value = " ".join(dict.fromkeys(self.cleaned_data["categories"]))
        validate_categories(value)
        return value

    def clean_saved_searches(self) -> list[str]:
        queries: list[str] = []
        for line in self.cleaned_data["saved_searches"].splitlines():
            query = " ".join(line.split())
            if query and query not in queries:
                if len(query) > 300:
                    raise forms.ValidationError("A saved search is at most 300 characters.")
                queries.append(query)
        if len(queries) > MAX_SAVED_SEARCHES:
            raise forms.ValidationError(f"At most {MAX_SAVED_SEARCHES} saved searches.")
        return queries

    def preferences(self) -> dict[str, object]:
        """The validated preferences, for :mod:`paperfeed.digests.subscriptions`."""
        return {name: self.cleaned_data[name] for name in PREFERENCES}


class SubscribeForm(PreferencesForm):
    email = forms.EmailField(max_length=254)

    field_order = ["email"]
