"""Follow-up of funded projects: status, progress, milestones with photos, budget spent, volunteers."""
