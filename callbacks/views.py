"""Twilio's webhooks: call status, and the TwiML for greeting, hold and
the agent's leg. Every request must carry a valid ``X-Twilio-Signature``."""

import functools

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import VoiceResponse

from callbacks import services
from callbacks.models import CallbackRequest
from callbacks.selectors import waiting_condition
from core.logs import bind

# Twilio's voices per language (Amazon Polly neural voices via <Say>).
VOICES = {
    "ja": ("ja-JP", "Polly.Kazuha-Neural"),
    "en": ("en-US", "Polly.Joanna-Neural"),
}
HOLD_MUSIC = "http://com.twilio.music.classical.s3.amazonaws.com/BusyStrings.mp3"


def signed_url(request: HttpRequest) -> str:
    """The URL Twilio signed: the public base URL (what Twilio was given,
    https behind a TLS-terminating proxy) plus the path and query."""
    return settings.CALLBACKS_PUBLIC_BASE_URL + request.get_full_path()


def twilio_signed(view):
    @csrf_exempt
    @require_POST
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        # The call's full ids are bound where its row is loaded; until then
        # (a refused signature, a reference we don't know) its reference.
        with bind(callback_reference=kwargs.get("reference")):
            return checked(request, *args, **kwargs)

    def checked(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        token = settings.TWILIO_AUTH_TOKEN
        signature = request.headers.get("X-Twilio-Signature", "")
        # Without a token anyone can compute the HMAC (keyed with ""): refuse.
        if not token or not signature:
            return HttpResponseForbidden("invalid signature")
        if not RequestValidator(token).validate(
            signed_url(request), request.POST.dict(), signature
        ):
            return HttpResponseForbidden("invalid signature")
        return view(request, *args, **kwargs)

    return wrapper


def _twiml(response: VoiceResponse) -> HttpResponse:
    return HttpResponse(str(response), content_type="application/xml")


def _enqueue(response: VoiceResponse, callback: CallbackRequest) -> None:
    """Wait in the asking app's queue, with hold music, until an agent's
    answer redirects the call to their room (``bridge_claimed_call``)."""
    response.enqueue(
        callback.queue,
        wait_url=settings.CALLBACKS_PUBLIC_BASE_URL + reverse("callbacks:hold"),
        wait_url_method="POST",
    )


@twilio_signed
def status(request: HttpRequest, reference: str) -> HttpResponse:
    services.record_status(
        reference=reference,
        call_sid=request.POST.get("CallSid", ""),
        status=request.POST.get("CallStatus", ""),
        answered_by=request.POST.get("AnsweredBy", ""),
    )
    return HttpResponse(status=204)


@twilio_signed
def answer(request: HttpRequest, reference: str) -> HttpResponse:
    """The customer picked up: greet them by what this is about, then queue."""
    callback = CallbackRequest.objects.filter(reference=reference).first()
    response = VoiceResponse()
    if callback is None or request.POST.get("AnsweredBy", "").startswith("machine"):
        response.hangup()
        return _twiml(response)
    language, voice = VOICES.get(callback.language[:2], VOICES["en"])
    response.say(callback.script, language=language, voice=voice)
    _enqueue(response, callback)
    services.mark_enqueued(reference=reference)
    return _twiml(response)


def place_in_line(callback: CallbackRequest) -> int:
    """Where the caller is in line: 1 + the callers waiting longer than
    they have in the same queue, not yet put through."""
    ahead = Q(enqueued_at__lt=callback.enqueued_at) | Q(
        enqueued_at=callback.enqueued_at, pk__lt=callback.pk
    )
    waiting = CallbackRequest.objects.filter(waiting_condition(queue=callback.queue))
    return 1 + waiting.filter(ahead).count()


@twilio_signed
def requeue(request: HttpRequest, reference: str) -> HttpResponse:
    """A missed pick-up (``services.requeue_unpicked``) brought the caller
    here: tell them plainly where they are in line and queue them again,
    rather than leave them to wonder or hang up on them. An agent who put
    them through meanwhile wins: they join that agent's room."""
    callback = CallbackRequest.objects.filter(reference=reference).first()
    response = VoiceResponse()
    if callback is None or callback.state != CallbackRequest.State.IN_PROGRESS:
        response.hangup()
        return _twiml(response)
    if callback.bridged_at is not None:
        _conference(response, reference)
        return _twiml(response)
    place = place_in_line(callback)
    language, voice = VOICES.get(callback.language[:2], VOICES["en"])
    with translation.override(callback.language):
        if place == 1:
            words = _(
                "All our agents are still busy. You are first in line: the next "
                "free agent will take your call. Please hold."
            )
        else:
            words = _(
                "All our agents are still busy. You are number %(place)d in line; "
                "please hold, and an agent will take your call."
            ) % {"place": place}
    response.say(words, language=language, voice=voice)
    _enqueue(response, callback)
    return _twiml(response)


@twilio_signed
def hold(request: HttpRequest) -> HttpResponse:
    response = VoiceResponse()
    response.play(HOLD_MUSIC, loop=0)
    return _twiml(response)


def _conference(response: VoiceResponse, reference: str) -> None:
    """The caller's and their agent's own room, named by the reference; it
    ends when either leaves."""
    dial = response.dial()
    dial.conference(
        reference,
        beep=False,
        end_conference_on_exit=True,
        wait_url=settings.CALLBACKS_PUBLIC_BASE_URL + reverse("callbacks:hold"),
        wait_method="POST",
    )


@twilio_signed
def agent(request: HttpRequest, reference: str) -> HttpResponse:
    """The agent answered "Connect me": put through the caller they took
    (``services.bridge_claimed_call`` says how), or tell them they're gone."""
    response = VoiceResponse()
    if services.bridge_claimed_call(
        reference=reference, agent_call_sid=request.POST.get("CallSid", "")
    ):
        _conference(response, reference)
    else:
        callback = CallbackRequest.objects.filter(reference=reference).first()
        words = "The caller has hung up. Check the phone queue for the next one."
        if callback is not None and callback.state == CallbackRequest.State.IN_PROGRESS:
            words = (
                "This caller went back to the queue, as nobody answered in "
                "time. Check the phone queue for the next one."
            )
        response.say(words, language="en-US", voice=VOICES["en"][1])
        response.hangup()
    return _twiml(response)


@twilio_signed
def agent_status(request: HttpRequest, reference: str) -> HttpResponse:
    services.record_agent_status(
        reference=reference,
        agent_call_sid=request.POST.get("CallSid", ""),
        status=request.POST.get("CallStatus", ""),
    )
    return HttpResponse(status=204)


@twilio_signed
def join(request: HttpRequest, reference: str) -> HttpResponse:
    """The caller, taken out of the queue, joins their agent's room."""
    response = VoiceResponse()
    _conference(response, reference)
    return _twiml(response)
