import type { Command } from 'commander';
import { registerAccount } from './account.js';
import { registerChats } from './chats.js';
import { addCommonOptions } from './common.js';
import { registerContacts } from './contacts.js';
import { registerFriends } from './friends.js';
import { registerListen } from './listen.js';
import { registerLogin } from './login.js';
import { registerMessageActions } from './message-actions.js';
import { registerMembers } from './members.js';
import { registerMessages } from './messages.js';
import { registerOpenChats } from './open-chats.js';
import { registerProfile } from './profile.js';
import { registerSearch } from './search.js';
import { registerSecret } from './secret.js';

/** The scriptable client commands; each acts for a profile saved by `tokki login`. */
export function registerClientCommands(program: Command): void {
  program.commandsGroup('Account:');
  const account = [...registerLogin(program), ...registerAccount(program)];
  program.commandsGroup('Chats and messages:');
  const messaging = [
    ...registerChats(program),
    ...registerMessages(program),
    ...registerSearch(program),
    ...registerMessageActions(program),
    ...registerListen(program),
  ];
  program.commandsGroup('Secret chats:');
  const secret = registerSecret(program);
  program.commandsGroup('Groups and open chats:');
  const rooms = [...registerOpenChats(program), ...registerMembers(program)];
  program.commandsGroup('Friends and profile:');
  const social = [
    ...registerFriends(program),
    ...registerContacts(program),
    ...registerProfile(program),
  ];
  for (const command of [...account, ...messaging, ...secret, ...rooms, ...social]) {
    addCommonOptions(command);
  }
  // Otherwise `help` sits alone under a generic "Commands:" heading.
  program.commandsGroup('Help:').helpCommand(true);
  program.addHelpText('after', CLIENT_HELP);
}

const CLIENT_HELP = `
Client commands act for a profile (--profile NAME, default "default"): its server URL and device
token are kept in $TOKKI_HOME/profiles/NAME.json, readable only by you ($TOKKI_HOME defaults to
~/.tokki). With --json they print one JSON object per line. Errors go to stderr, with exit code 1.

Example:
  $ tokki serve --data ./data &
  $ tokki login --server http://localhost:8080 --phone +821012345678 --name Minji
  $ chat=$(tokki chat create --with +821098765432)
  $ tokki send "$chat" '안녕하세요!'
  $ tokki open create '토끼 팬클럽' --nickname 당근 --listed   # prints its id and invite link
  $ tokki contacts sync --file contacts.txt     # lines like 010-1234-5678,Mom
  $ tokki friends
  $ tokki listen --json --timeout 60`;
