package com.aiinference.cli;

/** What a command prints on stdout: text for people, or JSON for scripts ({@code --output text|json}). */
public enum OutputFormat { text, json }
