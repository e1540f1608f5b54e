/** A minimal Job manifest running `shell`, on a cron schedule or (cron undefined) on demand; line 7 is the cron. */
export function jobManifest(name: string, cron: string | undefined, shell: string): string {
  const schedule = cron ? `  schedule:\n    cron: "${cron}"\n` : '';
  return `apiVersion: kairos/v1\nkind: Job\nmetadata:\n  name: ${name}\nspec:\n${schedule}  command:\n    shell: ${JSON.stringify(shell)}\n  resources: { cpus: 0.1, mem: 32 }\n  retries: { count: 0 }\n`;
}
