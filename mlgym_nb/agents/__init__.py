"""Agents: the protocol, the LLM agent, the embedded local model, replay, memory and the loop."""

from .base import EXITS, Action, Agent, AgentExit
from .loop import EpisodeResult, run_episode
from .openai_chat import LLMAgent, LLMAgentConfig
from .replay import ReplayAgent

__all__ = ["EXITS", "Action", "Agent", "AgentExit", "EpisodeResult", "LLMAgent", "LLMAgentConfig", "ReplayAgent",
           "run_episode"]
