"""The station agent: joins a packing station's scanner, scale and label printer to the
service (see `scanners.agent.agent` for what runs, and what happens on each failure).

    from scanners.agent import StationAgent, load_config
    agent = StationAgent(load_config("station.toml")).start()
"""

from scanners.agent.agent import StationAgent
from scanners.agent.config import SAMPLE_CONFIG, AgentConfig, ConfigError, load_config, parse_config
from scanners.agent.outbox import Outbox

__all__ = ["SAMPLE_CONFIG", "AgentConfig", "ConfigError", "Outbox", "StationAgent", "load_config",
           "parse_config"]
