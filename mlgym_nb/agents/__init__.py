"""Agents: the protocol, the LLM agent and its models, the embedded local model, replay, memory and the loop."""

from .base import EXITS, Action, Agent, AgentExit
from .llm import LLMAgent, LLMAgentConfig
from .loop import EpisodeResult, run_episode
from .mlab import ResearchAgent
from .model import Model, ModelError, OpenAIModel, Reply, ScriptedModel, ToolCall
from .presets import agent_config
from .replay import ReplayAgent

__all__ = ["EXITS", "Action", "Agent", "AgentExit", "EpisodeResult", "LLMAgent", "LLMAgentConfig", "Model",
           "ModelError", "OpenAIModel", "ReplayAgent", "Reply", "ResearchAgent", "ScriptedModel", "ToolCall",
           "agent_config", "run_episode"]
