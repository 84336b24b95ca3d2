using System;
using System.Collections.Frozen;

namespace OpsTools.Build.Validation;

/// <summary>The approved verbs of PowerShell 7 (Get-Verb), by group.</summary>
internal static class ApprovedVerbs
{
    private static readonly string[] Common =
    [
        "Add", "Clear", "Close", "Copy", "Enter", "Exit", "Find", "Format", "Get", "Hide", "Join", "Lock",
        "Move", "New", "Open", "Optimize", "Pop", "Push", "Redo", "Remove", "Rename", "Reset", "Resize",
        "Search", "Select", "Set", "Show", "Skip", "Split", "Step", "Switch", "Undo", "Unlock", "Watch",
    ];

    private static readonly string[] Communications = ["Connect", "Disconnect", "Read", "Receive", "Send", "Write"];

    private static readonly string[] Data =
    [
        "Backup", "Checkpoint", "Compare", "Compress", "Convert", "ConvertFrom", "ConvertTo", "Dismount",
        "Edit", "Expand", "Export", "Group", "Import", "Initialize", "Limit", "Merge", "Mount", "Out",
        "Publish", "Restore", "Save", "Sync", "Unpublish", "Update",
    ];

    private static readonly string[] Diagnostic = ["Debug", "Measure", "Ping", "Repair", "Resolve", "Test", "Trace"];

    private static readonly string[] Lifecycle =
    [
        "Approve", "Assert", "Build", "Complete", "Confirm", "Deny", "Deploy", "Disable", "Enable", "Install",
        "Invoke", "Register", "Request", "Restart", "Resume", "Start", "Stop", "Submit", "Suspend",
        "Uninstall", "Unregister", "Wait",
    ];

    private static readonly string[] Security = ["Block", "Grant", "Protect", "Revoke", "Unblock", "Unprotect"];

    private static readonly string[] Other = ["Use"];

    /// <summary>All 100 verbs; PowerShell compares verbs without regard to case.</summary>
    public static FrozenSet<string> All { get; } =
        FrozenSet.ToFrozenSet([.. Common, .. Communications, .. Data, .. Diagnostic, .. Lifecycle, .. Security, .. Other], StringComparer.OrdinalIgnoreCase);

    public static bool IsApproved(string verb) => All.Contains(verb);
}
