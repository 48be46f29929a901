/**
 * Keeps one screen's rendering fault inside that screen: without it React unmounts the whole
 * shell and the user is left with a blank window. The screen shows what failed and offers to
 * draw it again; navigation and the other screens keep working (and keep their state).
 */
import { Component, type ErrorInfo, type ReactNode } from 'react';
import { faultError, screenFaultSentence } from './screen-fault.js';

interface Props {
  screen: string;
  children: ReactNode;
}
interface State {
  error: Error | undefined;
}

export class ScreenBoundary extends Component<Props, State> {
  override state: State = { error: undefined };

  static getDerivedStateFromError(error: unknown): State {
    return { error: faultError(error) };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo): void {
    // the stack is for a bug report; the sentence on screen is for the user
    console.error(`${this.props.screen} screen stopped:`, error, info.componentStack);
  }

  override render(): ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <div className="screen-fault" role="alert" data-screen-fault={this.props.screen}>
        <p>{screenFaultSentence(this.props.screen, error)}</p>
        <p>
          <button type="button" onClick={() => this.setState({ error: undefined })}>
            Show the {this.props.screen} screen again
          </button>{' '}
          If it stops again, report it with the developer console's log.
        </p>
      </div>
    );
  }
}
