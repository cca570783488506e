-- The Inngest server keeps its state in its own database beside the app's.
CREATE DATABASE inngest;
