"""What a chat can do besides asking questions: follow series and drivers, set its time zone,
reminders and spoiler-safety; and what the bot's admins can do. Platform-neutral: Telegram,
Discord and the terminal all route commands through `Router`."""

from bot.chats.router import Answer, Caller, Router

__all__ = ["Answer", "Caller", "Router"]
