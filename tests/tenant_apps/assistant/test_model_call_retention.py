"""Pruning model call records: old ones go in batches, recent ones, other restaurants' and the
conversation's token totals stay."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from core.db import use_tenant
from tenant_apps.assistant.models import ModelCall
from tenant_apps.assistant.services import model_call_prune
from tenant_apps.conversations.models import Conversation
from tenant_apps.conversations.services import conversation_add_llm_usage
from tenants.models import Restaurant
from tests.tenant_apps.assistant.factories import model_calls
from tests.tenant_apps.conversations.factories import web_conversation
from tests.tenants.factories import TenantHandle


def test_calls_older_than_the_cutoff_are_deleted_and_recent_ones_kept(in_tenant_a: object) -> None:
    # given a conversation with calls from 100 days and from 1 day ago
    now = timezone.now()
    conversation = web_conversation()
    old = model_calls(conversation=conversation, created=now - timedelta(days=100), count=5)
    recent = model_calls(conversation=conversation, created=now - timedelta(days=1), count=2)

    # when calls older than 90 days are pruned, in batches smaller than the work
    deleted = model_call_prune(older_than=now - timedelta(days=90), batch_size=2)

    # then only the old ones are gone
    assert deleted == len(old)
    assert set(
        ModelCall.objects.filter(conversation=conversation).values_list("id", flat=True)
    ) == {call.id for call in recent}


def test_pruning_twice_deletes_nothing_the_second_time(in_tenant_a: object) -> None:
    # given old calls pruned once
    now = timezone.now()
    conversation = web_conversation()
    model_calls(conversation=conversation, created=now - timedelta(days=100), count=3)
    model_call_prune(older_than=now - timedelta(days=90))

    # when pruned again
    again = model_call_prune(older_than=now - timedelta(days=90))

    # then there is nothing left to delete
    assert again == 0
    assert not ModelCall.objects.filter(conversation=conversation).exists()


def test_the_conversation_token_totals_survive_pruning(in_tenant_a: object) -> None:
    # given a conversation whose usage was counted as its calls were recorded
    now = timezone.now()
    conversation = web_conversation()
    model_calls(conversation=conversation, created=now - timedelta(days=100), tokens=7)
    conversation_add_llm_usage(conversation=conversation, prompt_tokens=7, completion_tokens=7)

    # when its calls are pruned
    model_call_prune(older_than=now - timedelta(days=90))

    # then its totals are unchanged
    conversation = Conversation.objects.get(pk=conversation.pk)
    assert (conversation.llm_prompt_tokens, conversation.llm_completion_tokens) == (7, 7)


def test_another_restaurants_calls_are_untouched(
    tenant_b: TenantHandle, in_tenant_a: Restaurant
) -> None:
    # given old calls in restaurants A and B
    long_ago = timezone.now() - timedelta(days=100)
    use_tenant(in_tenant_a)
    model_calls(conversation=web_conversation(), created=long_ago)
    use_tenant(tenant_b.restaurant)
    other = model_calls(conversation=web_conversation(), created=long_ago)

    # when restaurant A prunes
    use_tenant(in_tenant_a)
    model_call_prune(older_than=timezone.now() - timedelta(days=90))

    # then B still has its calls
    use_tenant(tenant_b.restaurant)
    assert ModelCall.objects.filter(id=other[0].id).exists()
