// Fulcra CLI: Hardhat tasks. Loaded by hardhat.config.ts (one import line).
import "./networks";
import "./deploy";
import "./read";
import "./act";
import "./margin";
import "./local";
import { guardTasks } from "./errors";

guardTasks(); // one-line errors for every task (tasks/errors.ts)
